/** Lets one waiter sleep until something happens; a signal given while nobody waits is kept. */
export class Wakeup {
  private pending = false;
  private resolveWaiter?: () => void;

  signal(): void {
    const resolve = this.resolveWaiter;
    if (resolve) {
      this.resolveWaiter = undefined;
      resolve();
    } else {
      this.pending = true;
    }
  }

  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.resolveWaiter = resolve;
    });
  }
}
