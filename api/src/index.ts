export { buildApi, type ApiOptions } from './server.ts';
export { ApiError, API_ERRORS } from './errors.ts';
export { kafkaLease, type Lease } from './alerts/lease.ts';
export { loadSecretBox, SecretBox } from './secrets.ts';
export { EvaluationWorker } from './evaluations/worker.ts';
