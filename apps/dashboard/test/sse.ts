/**
 * Reading a server-sent event stream in a test, event by event, with a
 * deadline: what a page's EventSource would hear.
 */
export interface SseEvent {
  event: string;
  id: string;
  data: string;
}

export interface EventReader {
  /** The next event named `event` (others are skipped); rejects after `timeoutMs`. */
  next(event: string, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export async function readEvents(
  url: string,
  options: { lastEventId?: string; headers?: Record<string, string> } = {},
): Promise<EventReader> {
  const abort = new AbortController();
  const response = await fetch(url, {
    signal: abort.signal,
    headers: {
      accept: "text/event-stream",
      ...(options.lastEventId ? { "last-event-id": options.lastEventId } : {}),
      ...options.headers,
    },
  });
  if (!response.ok || response.body === null) throw new Error(`${url}: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const parsed: SseEvent[] = [];
  const pull = async () => {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${url}: the stream ended`);
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: SseEvent = { event: "message", id: "", data: "" };
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event.event = value;
        else if (field === "id") event.id = value;
        else if (field === "data") event.data += value;
      }
      parsed.push(event);
    }
  };
  return {
    async next(name, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = parsed.findIndex((event) => event.event === name);
        if (index >= 0) return parsed.splice(0, index + 1).at(-1)!;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no "${name}" event within ${timeoutMs} ms`);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          pull(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no "${name}" event within ${timeoutMs} ms`)), left);
          }),
        ]).finally(() => clearTimeout(timer));
      }
    },
    close() {
      abort.abort();
    },
  };
}
