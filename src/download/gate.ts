// A FIFO mutex: one worker's page is used by one item at a time, and one transfer per page
// runs at a time, while the next item already opens its viewer.
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves with the release function once every earlier holder has released. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => once(release));
    this.tail = this.tail.then(() => held);
    return ready;
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
