/**
 * What a provisioning link is about, read from the subscriber directory: the subscriber (which
 * must still exist in the link's domain and not be disabled) and, for sip:phone links, the
 * account the app registers with: the subscriber's first IMS credential with a digest password
 * (the app knows no IMS-AKA), user and host taken from its IMPU (`sip:alice@ims.lab` → username
 * `alice`, server `ims.lab`).
 */
import type { Subscriber, SubscriberDirectory } from '../../store/directory.ts';
import type { SipPhoneAccount } from './sipphone.ts';

const SIP_URI = /^sips?:([^@;?]+)@([^;?>]+)/i;

/** The subscriber if it still exists in `domain` and may sign in. */
export async function activeSubscriber(
  directory: SubscriberDirectory,
  subscriberId: string,
  domain: string,
): Promise<Subscriber | undefined> {
  const subscriber = await directory.getSubscriber(subscriberId);
  return subscriber !== undefined && subscriber.domain === domain && !subscriber.disabled
    ? subscriber
    : undefined;
}

/** The sip:phone account of a subscriber; undefined when it has no digest IMS identity. */
export async function sipPhoneAccount(
  directory: SubscriberDirectory,
  subscriberId: string,
): Promise<SipPhoneAccount | undefined> {
  for (const credential of await directory.imsCredentialsOf(subscriberId)) {
    if (credential.secret.kind !== 'digest') continue;
    const m = SIP_URI.exec(credential.impu);
    if (m === null) continue;
    let username: string;
    try {
      username = decodeURIComponent(m[1] ?? '');
    } catch {
      continue; // a user part with a broken %-escape
    }
    return { username, server: m[2] ?? '', password: credential.secret.password };
  }
  return undefined;
}
