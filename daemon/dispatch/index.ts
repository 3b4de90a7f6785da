export { CircuitBreakers, circuitKey, type CircuitListener, type CircuitOptions, type CircuitPermit } from './circuit';
export {
  classify, describeAttempt, dispatch, DispatchError, reasonFor,
  type DispatchErrorCode, type DispatchOptions, type DispatchResult,
} from './dispatch';
