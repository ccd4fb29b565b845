/**
 * Whether this instance is stopping. Once it is, readiness answers 503 (so a
 * load balancer sends no new logins) and every response closes its
 * connection, while the requests in flight finish.
 */
export class Draining {
  private stopping = false;

  begin(): void {
    this.stopping = true;
  }

  get active(): boolean {
    return this.stopping;
  }
}
