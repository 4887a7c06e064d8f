import { Duration } from 'aws-cdk-lib';

/** Every HTTP handler's timeout: the SDK clients' worst case is under half of it (shared/adapters/aws-client-config.ts). */
export const HANDLER_TIMEOUT = Duration.seconds(10);
