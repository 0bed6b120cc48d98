/**
 * The purpose key: the customer-managed KMS key that wraps the per-purpose data keys sealing personal
 * fields (and the `lookup` key for keyed hashes and the `token` key for unsubscribe tokens). Its key policy adds explicit denies on top of the
 * functions' IAM grants, so that a principal whose IAM policies merely allow `kms:*` (e.g. an
 * account administrator's role) cannot unwrap data keys with those policies alone:
 *
 * - every data-key operation must carry a known `purpose` encryption context;
 * - data-key operations are denied to every principal that is not a role under the deployment's
 *   role path (`aws:PrincipalArn` ArnNotLike `…:role/minimis/<stage>/*`);
 * - under context X, kms:Decrypt is denied unless the caller carries the principal tag
 *   `minimis-decrypt-X=true`, and data-key generation unless it carries `minimis-seal-X=true`;
 * - re-encryption (which could move a ciphertext to another context) is denied outright.
 *
 * The tags are set by `grantPurposes` together with the IAM statements, both from the inventory.
 *
 * What this does NOT stop (residual risk; see "Hardening the account" in the README): the key
 * policy keeps the account-root `kms:*` statement (CDK's default; removing it, or denying
 * kms:PutKeyPolicy / kms:ScheduleKeyDeletion / kms:DisableKey here, risks an unmanageable key), so
 * an IAM administrator can rewrite this policy. Anyone who may create or change roles under the
 * role path (iam:CreateRole, iam:UpdateAssumeRolePolicy, iam:PassRole, lambda:UpdateFunctionCode
 * of a minimis function) or set the `minimis-*` tags on them (iam:TagRole) can also act as a minimis
 * role. Those permissions must be restricted at the account level (an SCP), not here.
 */
import { Arn, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  decryptTagKey,
  isRolePath,
  KEY_CONTEXTS,
  PURPOSE_CONDITION_KEY,
  sealTagKey,
} from './purpose-grants.js';

export interface PurposeKeyProps {
  /** Alias of the key, without the `alias/` prefix. */
  readonly aliasName: string;
  /**
   * IAM path of the roles that may use the key for data keys (the deployment's functions and
   * operator role), e.g. `/minimis/prod/`. Every other principal is denied.
   */
  readonly rolePath: string;
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
    if (!isRolePath(props.rolePath)) throw new Error(`PurposeKey: invalid rolePath "${props.rolePath}"`);
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
    // Role tags alone can be set by anyone allowed iam:TagRole/TagUser or sts:TagSession; the
    // principal must also be one of this deployment's roles (a role path is matchable by ArnLike).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyDataKeysOutsideMinimisRoles',
        effect: iam.Effect.DENY,
        principals: [anyone],
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ArnNotLike: {
            'aws:PrincipalArn': Arn.format(
              { service: 'iam', region: '', resource: 'role', resourceName: `${props.rolePath.slice(1)}*` },
              Stack.of(this),
            ),
          },
        },
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
