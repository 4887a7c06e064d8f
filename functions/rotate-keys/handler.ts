import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../../shared/adapters/aws-client-config.js';
import { createRotationHandler } from '../../shared/adapters/key-ring-rotation.js';
import { getConfig } from '../../shared/composition/config.js';
import { required } from '../../shared/config/config.js';

/** The Secrets Manager rotation function of the signing key ring (createSecret/setSecret/testSecret/finishSecret). */
const config = getConfig();
export const handler = createRotationHandler({
  client: new SecretsManagerClient(awsClientConfig('secretsManager')),
  publicKeysSecretId: required(config.PUBLIC_KEYS_SECRET_ID, 'PUBLIC_KEYS_SECRET_ID'),
  alg: config.SIGNING_ALG,
});
