/** The mail side of a function: SES (one module-scope client), or what is installed locally. */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '../adapters/aws/ses-mailer.js';
import type { Config } from '../config.js';
import type { Mailer } from '../ports.js';
import { installed } from './installed.js';

let ses: SesMailer | undefined;

export function mailer(config: Pick<Config, 'senderEmail' | 'sesConfigurationSet'>): Mailer {
  const local = installed()?.mailer;
  if (local) return local;
  ses ??= new SesMailer(new SESv2Client({}), config.senderEmail, config.sesConfigurationSet);
  return ses;
}
