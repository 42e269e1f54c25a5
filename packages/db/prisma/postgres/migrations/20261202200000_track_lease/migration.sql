-- Track leases: several `ingest poll` workers share the configured tracks, each track
-- polled only by the worker holding its lease (renewed before expires_at, taken over after).
-- CreateTable
CREATE TABLE "track_lease" (
    "track" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "acquired_at" BIGINT NOT NULL,
    "expires_at" BIGINT NOT NULL,

    CONSTRAINT "track_lease_pkey" PRIMARY KEY ("track")
);
