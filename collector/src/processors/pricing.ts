import { calcPrice } from '@pydantic/genai-prices';
import type { CustomPrice } from '@spanlens/clickhouse';
import type { Processor, SpanBatch, SpanRecord } from './processor.ts';
import { countMessageTokens, countTextTokens } from './tokenizer.ts';

/** Per-project prices that override the public table, looked up without I/O. */
export interface CustomPrices {
  find(projectId: string, provider: string, model: string): CustomPrice | undefined;
}

export const NO_CUSTOM_PRICES: CustomPrices = { find: () => undefined };

const PRICED_KINDS = new Set(['llm', 'embedding']);
// Chains and agents often carry the sum of their children's cost; taking it would count it twice.
const AGGREGATE_KINDS = new Set(['chain', 'agent']);

/**
 * Cost of each LLM call. Precedence: a cost the client sent, then the project's own
 * price, then the public table (@pydantic/genai-prices). Without usage, tokens are
 * counted with js-tiktoken and the row is marked estimated, except for a failed call:
 * a provider that refused (429, 5xx, a dropped connection) charged nothing, so nothing is
 * estimated or priced. A client cost of exactly 0 counts as none given where a price is
 * known (OpenLIT sends 0 when it cannot fetch its own price list).
 */
export function pricingProcessor(prices: CustomPrices): Processor {
  return {
    name: 'pricing',
    async process(batch: SpanBatch) {
      for (const rec of batch.records) {
        if (!rec.row.model || !PRICED_KINDS.has(rec.row.kind)) {
          if (rec.fields.costUsd !== undefined && !AGGREGATE_KINDS.has(rec.row.kind)) setCost(rec, rec.fields.costUsd, 'client');
          continue;
        }
        // A client cost of exactly 0 counts as none given until no price is found below.
        const clientCost = rec.fields.costUsd !== 0 ? rec.fields.costUsd : undefined;
        if (rec.fields.inputTokens === undefined && rec.fields.outputTokens === undefined) {
          if (rec.row.status === 'error') {
            if (clientCost !== undefined) setCost(rec, clientCost, 'client');
            continue;
          }
          await estimateTokens(rec);
        }
        if (clientCost !== undefined) {
          setCost(rec, clientCost, 'client');
          continue;
        }
        // A project prices the name it calls ('gpt-4o-mini'); responses often name a snapshot ('gpt-4o-mini-2024-07-18').
        const { provider, model, request_model } = rec.row;
        const custom = prices.find(batch.projectId, provider, model) ?? (request_model && request_model !== model ? prices.find(batch.projectId, provider, request_model) : undefined);
        if (custom) {
          setCost(rec, customCost(rec, custom), 'custom');
          continue;
        }
        const table = tableCost(rec);
        if (table !== null) setCost(rec, table, 'table');
        else if (rec.fields.costUsd === 0) setCost(rec, 0, 'client');
      }
    },
  };
}

function setCost(rec: SpanRecord, usd: number, source: 'client' | 'custom' | 'table'): void {
  rec.row.cost_usd = usd;
  rec.row.cost_source = source;
  rec.row.cost_estimated = source !== 'client' && rec.row.tokens_estimated;
}

async function estimateTokens(rec: SpanRecord): Promise<void> {
  const { fields, row } = rec;
  const input = fields.inputMessages ? await countMessageTokens(row.model, fields.inputMessages, true) : await countTextTokens(row.model, fields.inputText ?? '');
  const output = fields.outputMessages ? await countMessageTokens(row.model, fields.outputMessages, false) : await countTextTokens(row.model, fields.outputText ?? '');
  if (input === 0 && output === 0) return;
  row.input_tokens = input;
  row.output_tokens = output;
  row.total_tokens = input + output;
  row.tokens_estimated = true;
}

/** Token counts as sent can be negative, fractional or cached > input; price only what makes sense. */
function usageOf(rec: SpanRecord): { input: number; output: number; cached: number } {
  const clean = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
  const input = clean(rec.row.input_tokens);
  return { input, output: clean(rec.row.output_tokens), cached: Math.min(clean(rec.row.cached_tokens), input) };
}

function customCost(rec: SpanRecord, p: CustomPrice): number {
  const { input, output, cached } = usageOf(rec);
  const cachedPrice = p.cached_input_per_mtok ?? p.input_per_mtok;
  return ((input - cached) * p.input_per_mtok + cached * cachedPrice + output * p.output_per_mtok) / 1e6;
}

/** Linear price of one model in one hour, read off the price table once. */
interface Rates {
  base: number;
  input: number;
  cachedInput: number;
  output: number;
}
const MTOK = 1_000_000;
const HOUR_MS = 3_600_000;
const rateCache = new Map<string, Rates | 'tiered' | null>();

// calcPrice matches the model against the whole table on every call (~0.1-0.25 ms), far
// too slow per span. Prices are linear in tokens unless the model has tiers, so the rates
// are derived from the library once per (provider, model, hour) and tiered models still
// go through calcPrice on every call.
function tableCost(rec: SpanRecord): number | null {
  const { row } = rec;
  const ms = Number(rec.span.startNs / 1_000_000n);
  const key = `${row.provider}\u0000${row.model}\u0000${Math.floor(ms / HOUR_MS)}`;
  let rates = rateCache.get(key);
  if (rates === undefined) {
    rates = deriveRates(row.provider, row.model, new Date(ms));
    if (rateCache.size > 10_000) rateCache.clear();
    rateCache.set(key, rates);
  }
  if (rates === null) return null;
  const { input, output, cached } = usageOf(rec);
  if (rates === 'tiered') {
    return (
      lookup(row.provider, row.model, new Date(ms), {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: cached || undefined,
      })?.total_price ?? null
    );
  }
  return rates.base + (input - cached) * rates.input + cached * rates.cachedInput + output * rates.output;
}

function lookup(provider: string, model: string, timestamp: Date, usage: Record<string, number | undefined>) {
  try {
    return (provider && calcPrice(usage, model, { providerId: provider, timestamp })) || calcPrice(usage, model, { timestamp });
  } catch {
    // The library throws on usage it finds inconsistent; a span without a price beats a failed export.
    return null;
  }
}

function deriveRates(provider: string, model: string, timestamp: Date): Rates | 'tiered' | null {
  const zero = lookup(provider, model, timestamp, { input_tokens: 0, output_tokens: 0 });
  if (!zero) return null;
  if (Object.values(zero.model_price).some((v) => typeof v === 'object' && v !== null)) return 'tiered';
  const base = zero.total_price;
  const price = (usage: Record<string, number>) => lookup(provider, model, timestamp, usage)?.total_price ?? base;
  return {
    base,
    input: (price({ input_tokens: MTOK }) - base) / MTOK,
    cachedInput: (price({ input_tokens: MTOK, cache_read_tokens: MTOK }) - base) / MTOK,
    output: (price({ output_tokens: MTOK }) - base) / MTOK,
  };
}

/** The public table's price of a call made outside the span path (an evaluator's judge); null when unknown. */
export function tablePrice(provider: string, model: string, at: Date, usage: { input: number; output: number }): number | null {
  return lookup(provider, model, at, { input_tokens: Math.max(0, usage.input), output_tokens: Math.max(0, usage.output) })?.total_price ?? null;
}
