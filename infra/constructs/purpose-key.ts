/**
 * The purpose key: the customer-managed KMS key that wraps the per-purpose data keys sealing personal
 * fields (and the `lookup` key for keyed hashes). Its key policy enforces the purpose binding even
 * against principals whose IAM policies allow more (e.g. account administrators):
 *
 * - every data-key operation must carry a known `purpose` encryption context;
 * - under context X, kms:Decrypt is denied unless the caller carries the role tag
 *   `minimis-decrypt-X=true`, and data-key generation unless it carries `minimis-seal-X=true`;
 * - re-encryption (which could move a ciphertext to another context) is denied outright.
 *
 * The tags are set by `grantPurposes` together with the IAM statements, both from the inventory.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { decryptTagKey, KEY_CONTEXTS, PURPOSE_CONDITION_KEY, sealTagKey } from './purpose-grants.js';

export interface PurposeKeyProps {
  /** Alias of the key, without the `alias/` prefix. */
  readonly aliasName: string;
  /**
   * Waiting period before a scheduled deletion takes effect.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

export class PurposeKey extends Construct {
  /** The key; its ARN is the functions' `KMS_KEY_ID`. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: PurposeKeyProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9/_-]{1,200}$/.test(props.aliasName) || props.aliasName.startsWith('aws/')) {
      throw new Error(`PurposeKey: invalid aliasName "${props.aliasName}"`);
    }
    this.key = new kms.Key(this, 'Key', {
      description:
        'minimis: wraps the per-purpose data keys sealing personal data (encryption context "purpose")',
      enableKeyRotation: true,
      alias: `alias/${props.aliasName}`,
      pendingWindow: props.pendingWindow ?? Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const anyone = new iam.AnyPrincipal();
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyDataKeysWithoutKnownPurpose',
        effect: iam.Effect.DENY,
        principals: [anyone],
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // A missing key satisfies StringNotEquals, so this also denies requests without a purpose.
        conditions: { StringNotEquals: { [PURPOSE_CONDITION_KEY]: [...KEY_CONTEXTS] } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyReEncrypt',
        effect: iam.Effect.DENY,
        principals: [anyone],
        actions: ['kms:ReEncrypt*'],
        resources: ['*'],
      }),
    );
    for (const context of KEY_CONTEXTS) {
      const suffix = context.charAt(0).toUpperCase() + context.slice(1);
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Deny${suffix}DecryptToUntaggedPrincipals`,
          effect: iam.Effect.DENY,
          principals: [anyone],
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: {
            StringEquals: { [PURPOSE_CONDITION_KEY]: context },
            StringNotEquals: { [`aws:PrincipalTag/${decryptTagKey(context)}`]: 'true' },
          },
        }),
      );
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Deny${suffix}SealToUntaggedPrincipals`,
          effect: iam.Effect.DENY,
          principals: [anyone],
          actions: ['kms:Encrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            StringEquals: { [PURPOSE_CONDITION_KEY]: context },
            StringNotEquals: { [`aws:PrincipalTag/${sealTagKey(context)}`]: 'true' },
          },
        }),
      );
    }
  }
}
