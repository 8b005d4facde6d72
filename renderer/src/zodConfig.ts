import { z } from 'zod';

// No `new Function` probing: the page's CSP forbids eval and would report the probe.
z.config({ jitless: true });
