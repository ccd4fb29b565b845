/**
 * Stops a running broker (or demo) on SIGTERM/SIGINT: the first signal stops
 * it cleanly (readiness 503, requests in flight finish, the state store
 * closes) and exits 0; a second signal, or a stop that outlasts its bound,
 * exits 1 at once.
 */
export function onStop(stop: () => Promise<void>, boundMs = 10_000): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      console.error(`received ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.error(`received ${signal}, finishing in-flight requests and stopping`);
    // Beyond the server's own bound: the state store gets a few seconds to close.
    const timer = setTimeout(() => {
      console.error("could not stop in time, exiting now");
      process.exit(1);
    }, boundMs + 5_000);
    stop().then(
      () => {
        clearTimeout(timer);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`could not stop cleanly: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => handler("SIGTERM"));
  process.on("SIGINT", () => handler("SIGINT"));
}
