/** The reconciler: proof, per item and per channel, that every channel holds what it should. */
export { reconcilerEnv } from "./config";
export {
  startReconciler,
  type ReconcilerConfig,
  type ReconcilerService,
  type StartReconcilerOptions,
} from "./service";
export { OperatorTokens, hashToken, type Operator, type OperatorTokenFile } from "./auth";
export * from "./model";
