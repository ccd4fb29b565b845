/** Stops a running broker (or demo) cleanly on SIGTERM/SIGINT: in-flight requests finish, then the process exits. */
export function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`received ${signal}, finishing in-flight requests and stopping`);
    const timer = setTimeout(() => process.exit(1), 10_000);
    stop().then(
      () => {
        clearTimeout(timer);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => handler("SIGTERM"));
  process.on("SIGINT", () => handler("SIGINT"));
}
