/**
 * An event's published language, declared once beside its producer (`@monograph/<domain>-subgraph/contracts`,
 * docs/adr/0017): its type (also the transport subject), the source that publishes it, the contract's version,
 * and, as a type only, its payload. Consumers import the contract, never the producer's code, and still read the
 * payload through their own checks (anti-corruption): the type says what the producer promises, the check what
 * arrived.
 */
export interface EventContract<TType extends string = string, TPayload = unknown> {
  readonly type: TType;
  readonly source: string;
  /**
   * 1 until a change that breaks consumers; such a change is a new contract with a new type (`<name>.v2`), published
   * beside the old one until every consumer moved. Adding a field is not such a change.
   */
  readonly version: number;
  /** Never set: carries the payload's type, so that `PayloadOf<typeof CONTRACT>` names it. */
  readonly payload?: TPayload;
}

/** The payload type a contract promises. */
export type PayloadOf<C> = C extends EventContract<string, infer P> ? P : never;
