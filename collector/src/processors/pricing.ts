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
        const custom = prices.find(batch.projectId, rec.row.provider, rec.row.model);
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

function customCost(rec: SpanRecord, p: CustomPrice): number {
  const { input_tokens, output_tokens, cached_tokens } = rec.row;
  const cached = Math.min(cached_tokens, input_tokens);
  const cachedPrice = p.cached_input_per_mtok ?? p.input_per_mtok;
  return ((input_tokens - cached) * p.input_per_mtok + cached * cachedPrice + output_tokens * p.output_per_mtok) / 1e6;
}

function tableCost(rec: SpanRecord): number | null {
  const { row } = rec;
  const usage = {
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cache_read_tokens: row.cached_tokens || undefined,
  };
  const timestamp = new Date(Number(rec.span.startNs / 1_000_000n));
  const hit = (row.provider && calcPrice(usage, row.model, { providerId: row.provider, timestamp })) || calcPrice(usage, row.model, { timestamp });
  return hit ? hit.total_price : null;
}
