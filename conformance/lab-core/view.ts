import type { BindingStore, RegistrationSet } from './bindings.ts';
import type { SubscriberDirectory } from './subscribers.ts';

/** What the lab core shows of a registration (a copy: changing it changes nothing). */
export interface RegistrationView {
  readonly impi: string;
  /** the implicit registration set, default IMPU first */
  readonly impus: readonly string[];
  readonly contacts: ReadonlyArray<{
    readonly uri: string;
    readonly contact: string;
    /** seconds left */
    readonly expires: number;
    readonly path: readonly string[];
    readonly instance: string | undefined;
    readonly regId: number | undefined;
    readonly callId: string;
    readonly cseq: number;
  }>;
}

export function registrationsView(
  store: BindingStore,
  subscribers: SubscriberDirectory,
): { get(impu: string): RegistrationView | undefined; all(): RegistrationView[] } {
  const view = (set: RegistrationSet): RegistrationView => ({
    impi: set.subscriber.impi,
    impus: [...set.subscriber.impus],
    contacts: [...set.bindings.values()].map((b) => ({
      uri: b.uri,
      contact: b.contact,
      expires: store.secondsLeft(b),
      path: [...b.path],
      instance: b.instance,
      regId: b.regId,
      callId: b.callId,
      cseq: b.cseq,
    })),
  });
  return {
    get(impu) {
      const s = subscribers.byImpu(impu);
      if (s === undefined) return undefined;
      const set = store.setOf(s);
      return set.bindings.size === 0 ? undefined : view(set);
    },
    all: () => store.registered().map(view),
  };
}
