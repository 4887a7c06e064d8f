import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../../shared/adapters/aws-client-config.js';
import { createKeyRingBootstrap } from '../../shared/adapters/key-ring-bootstrap.js';
import { getConfig } from '../../shared/composition/config.js';
import { required } from '../../shared/config/config.js';

/**
 * The `KeyRingBootstrap` custom resource (onEvent of a custom-resources Provider): `cdk deploy` finishes once the
 * signing key ring exists. Waits at most 90 s, within the function's 2-minute timeout.
 */
const config = getConfig();
export const handler = createKeyRingBootstrap({
  client: new SecretsManagerClient(awsClientConfig('secretsManager')),
  secretId: required(config.KEY_RING_SECRET_ID, 'KEY_RING_SECRET_ID'),
  waitMs: 90_000,
});
