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

/**
 * Cost of each LLM call. Precedence: a cost the client sent, then the project's own
 * price, then the public table (@pydantic/genai-prices). Without usage, tokens are
 * counted with js-tiktoken and the row is marked estimated.
 */
export function pricingProcessor(prices: CustomPrices): Processor {
  return {
    name: 'pricing',
    async process(batch: SpanBatch) {
      for (const rec of batch.records) {
        if (!rec.row.model || !PRICED_KINDS.has(rec.row.kind)) {
          if (rec.fields.costUsd !== undefined) setCost(rec, rec.fields.costUsd, 'client');
          continue;
        }
        if (rec.fields.inputTokens === undefined && rec.fields.outputTokens === undefined) await estimateTokens(rec);
        if (rec.fields.costUsd !== undefined) {
          setCost(rec, rec.fields.costUsd, 'client');
          continue;
        }
        // A project prices the name it calls ('gpt-4o-mini'); responses often name a snapshot ('gpt-4o-mini-2024-07-18').
        const { provider, model, request_model } = rec.row;
        const custom = prices.find(batch.projectId, provider, model)
          ?? (request_model && request_model !== model ? prices.find(batch.projectId, provider, request_model) : undefined);
        if (custom) {
          setCost(rec, customCost(rec, custom), 'custom');
          continue;
        }
        const table = tableCost(rec);
        if (table !== null) setCost(rec, table, 'table');
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
  const input = fields.inputMessages
    ? await countMessageTokens(row.model, fields.inputMessages, true)
    : await countTextTokens(row.model, fields.inputText ?? '');
  const output = fields.outputMessages
    ? await countMessageTokens(row.model, fields.outputMessages, false)
    : await countTextTokens(row.model, fields.outputText ?? '');
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

function tableCost(rec: SpanRecord): number | null {
  const { row } = rec;
  const { input, output, cached } = usageOf(rec);
  const usage = { input_tokens: input, output_tokens: output, cache_read_tokens: cached || undefined };
  const timestamp = new Date(Number(rec.span.startNs / 1_000_000n));
  if (Number.isNaN(timestamp.getTime())) return null;
  try {
    // calcPrice throws on usage it finds inconsistent; one odd span must not fail the whole export.
    const hit = (row.provider && calcPrice(usage, row.model, { providerId: row.provider, timestamp })) || calcPrice(usage, row.model, { timestamp });
    return hit ? hit.total_price : null;
  } catch {
    return null;
  }
}
