// Every logged price of one minute, kept until the log has been read, then reduced to one median per symbol and
// exchange (the cross-exchange warning compares medians, not extremes: a cascade moves more than 2% within a
// minute, and one exchange's extreme says nothing about where the others traded). Three typed arrays, 16 bytes an
// event while the log is read and nothing per symbol: a day of the log is a million entries, and objects per
// entry were most of the validator's garbage (see page.ts).

export class PriceSamples {
  private prices = new Float64Array(16);
  private slots = new Int32Array(16);
  private exs = new Int32Array(16);
  private n = 0;

  add(slot: number, ex: number, price: number): void {
    if (this.n === this.prices.length) {
      const prices = new Float64Array(this.n * 2);
      const slots = new Int32Array(this.n * 2);
      const exs = new Int32Array(this.n * 2);
      prices.set(this.prices);
      slots.set(this.slots);
      exs.set(this.exs);
      this.prices = prices;
      this.slots = slots;
      this.exs = exs;
    }
    this.prices[this.n] = price;
    this.slots[this.n] = slot;
    this.exs[this.n] = ex;
    this.n++;
  }

  /**
   * The median price of each (slot, exchange) at [slot × nEx + ex] (0 where there is none; a price is > 0), the
   * mean of the middle two for an even count. The prices are grouped by a counting sort, then each group sorted.
   */
  medians(nSlots: number, nEx: number): Float64Array {
    const groups = nSlots * nEx;
    const out = new Float64Array(groups);
    const start = new Int32Array(groups + 1);
    for (let i = 0; i < this.n; i++) start[this.slots[i] * nEx + this.exs[i] + 1]++;
    for (let g = 0; g < groups; g++) start[g + 1] += start[g];
    const fill = start.slice(0, groups);
    const sorted = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) sorted[fill[this.slots[i] * nEx + this.exs[i]]++] = this.prices[i];
    for (let g = 0; g < groups; g++) {
      const s = start[g];
      const len = start[g + 1] - s;
      if (len === 0) continue;
      if (len === 1) out[g] = sorted[s];
      else if (len === 2) out[g] = (sorted[s] + sorted[s + 1]) / 2;
      else {
        const a = sorted.subarray(s, s + len).sort();
        const mid = len >> 1;
        out[g] = len % 2 === 1 ? a[mid] : (a[mid - 1] + a[mid]) / 2;
      }
    }
    return out;
  }
}
