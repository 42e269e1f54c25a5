-- Track leases: several `ingest poll` workers share the configured tracks, each track
-- polled only by the worker holding its lease (renewed before expires_at, taken over after).
-- CreateTable
CREATE TABLE "track_lease" (
    "track" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "acquired_at" DATETIME NOT NULL,
    "expires_at" DATETIME NOT NULL
);

