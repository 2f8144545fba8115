/**
 * What every WafStorage backend shares about `adapter(model)`: oidc-provider and the WAF's own
 * modules ask for a model's adapter on each operation, so each model's adapter is made once,
 * by the backend's `makeAdapter`, and handed out again after that.
 */
import type { Adapter } from 'oidc-provider';

export abstract class ModelAdapters {
  private readonly adapters = new Map<string, Adapter>();

  /** The oidc-provider adapter of one model (`Session`, `Grant`, `AccessToken`, ...). */
  adapter(model: string): Adapter {
    let adapter = this.adapters.get(model);
    if (adapter === undefined) {
      adapter = this.makeAdapter(model);
      this.adapters.set(model, adapter);
    }
    return adapter;
  }

  /** Makes the adapter of one model; called once per model. */
  protected abstract makeAdapter(model: string): Adapter;
}
