// N pages in one browser context, one per download worker. A page that crashed or closed
// is replaced before its worker's next item.
import type { BrowserContext, Page } from 'playwright-core';

export class PagePool {
  private readonly pages: (Page | null)[];

  constructor(
    private readonly context: BrowserContext,
    size: number,
  ) {
    this.pages = Array.from({ length: size }, () => null);
  }

  get size(): number {
    return this.pages.length;
  }

  async page(slot: number): Promise<Page> {
    const current = this.pages[slot];
    if (current && !current.isClosed()) return current;
    const page = await this.context.newPage();
    page.on('crash', () => {
      if (this.pages[slot] === page) this.pages[slot] = null;
      void page.close().catch(() => undefined);
    });
    this.pages[slot] = page;
    return page;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.pages.map((page) => page?.close().catch(() => undefined)));
    this.pages.fill(null);
  }
}
