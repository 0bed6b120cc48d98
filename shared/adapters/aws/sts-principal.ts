import { userInfo } from 'node:os';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { DependencyError } from '../../domain/errors.js';
import type { PrincipalSource } from '../../ledger-ports.js';

/** The operator in AWS: the ARN of the caller identity (e.g. the assumed operator role's session). */
export class StsPrincipal implements PrincipalSource {
  private arn: Promise<string> | undefined;
  constructor(private readonly sts: STSClient) {}
  principal(): Promise<string> {
    this.arn ??= this.sts.send(new GetCallerIdentityCommand({})).then(
      ({ Arn }) => {
        if (!Arn) throw new DependencyError('STS GetCallerIdentity (no ARN)');
        return Arn;
      },
      (cause: unknown) => {
        this.arn = undefined;
        throw new DependencyError('STS GetCallerIdentity', { cause });
      },
    );
    return this.arn;
  }
}

/** The operator in local mode: the OS user running the CLI. */
export const osUserPrincipal: PrincipalSource = {
  async principal() {
    return `local:${userInfo().username}`;
  },
};
