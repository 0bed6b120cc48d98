import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DependencyError } from '../../domain/errors.js';
import type { Mailer, OutboundEmail } from '../../ports.js';

/** SESv2 `Content.Simple` with text and HTML parts and custom headers (List-Unsubscribe …). */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  async send(email: OutboundEmail): Promise<{ messageId: string }> {
    try {
      const out = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [email.to] },
          ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                Html: { Data: email.html, Charset: 'UTF-8' },
              },
              Headers: email.headers.map((h) => ({ Name: h.name, Value: h.value })),
            },
          },
        }),
      );
      return { messageId: out.MessageId ?? '' };
    } catch (cause) {
      throw new DependencyError('SES SendEmail', { cause });
    }
  }
}
