// V8 flags every terminal process runs with (bin/pospay.mjs applies them; the benches measure
// with them). A 2 MB semi-space keeps the young generation, and so the RSS, flat over a day.
export const POSPAY_V8_FLAGS = ['--max-semi-space-size=2'];
