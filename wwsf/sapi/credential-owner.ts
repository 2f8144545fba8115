/**
 * The checks every SAPI credential write (`ims` and `sip-mapping`) makes on the owner its body
 * names: the domain exists (else 422 naming /domain), the caller administers it (else 403), and
 * the subscriber, when there is one, is of that domain (else 422 naming /subscriberId; one of
 * another tenant is reported the same as a missing one).
 */
import type { SubscriberDirectory } from '../../store/directory.ts';
import { ProblemError } from '../problem.ts';
import type { Access } from './access.ts';

export async function checkOwner(
  directory: SubscriberDirectory,
  access: Access,
  domain: string,
  subscriberId: string | null,
): Promise<void> {
  if ((await directory.getDomain(domain)) === undefined)
    throw new ProblemError(422, `domain ${domain} does not exist`, {
      errors: [{ pointer: '/domain', detail: 'unknown domain' }],
    });
  await access.requireAdmin(domain);
  if (subscriberId === null) return;
  const owner = await directory.getSubscriber(subscriberId);
  if (owner === undefined || owner.domain !== domain)
    throw new ProblemError(422, `no subscriber ${subscriberId} in domain ${domain}`, {
      errors: [{ pointer: '/subscriberId', detail: 'unknown subscriber in this domain' }],
    });
}
