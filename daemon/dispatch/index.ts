export { CircuitBreakers, circuitKey, type CircuitListener, type CircuitOptions, type CircuitPermit } from './circuit';
export {
  classify, DEFAULT_STALL_TIMEOUT_MS, describeAttempt, dispatch, DispatchError, reasonFor,
  type DispatchErrorCode, type DispatchOptions, type DispatchResult,
} from './dispatch';
