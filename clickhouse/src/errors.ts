/**
 * ClickHouse error codes that mean "this data can never be inserted as it is" (parse and
 * type errors). Everything else (too many parts, memory, timeouts, a table being
 * re-attached, a lost connection) is a passing condition: retry, don't discard.
 */
const DATA_ERRORS = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  130, // CANNOT_READ_ARRAY_FROM_TEXT
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  377, // CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING
  404, // CANNOT_PARSE_BOOL
  407, // DECIMAL_OVERFLOW (a DateTime64 out of its range)
  466, // CANNOT_PARSE_IPV4
  467, // CANNOT_PARSE_IPV6
  691, // UNKNOWN_ELEMENT_OF_ENUM
]);

/** The ClickHouse error code carried by an error from @clickhouse/client or chDB, if any. */
export function clickHouseErrorCode(err: unknown): number | undefined {
  const e = err as { clickhouseCode?: unknown; code?: unknown } | null;
  const code = e?.clickhouseCode ?? e?.code;
  const n = typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** True when ClickHouse refused the data itself; retrying the same rows cannot succeed. */
export function isDataRejection(err: unknown): boolean {
  const code = clickHouseErrorCode(err);
  return code !== undefined && DATA_ERRORS.has(code);
}
