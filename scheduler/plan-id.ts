import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

import type { Hex, PlanKind, SpendableOutput } from './types';

const PLAN_DOMAIN = 'custody-processor scheduler plan v1';
const BRANCH_DOMAIN = 'custody-processor scheduler branch v1';

/** A length-prefixed byte encoding: every field is framed, so no two plans encode alike. */
class Encoder {
  private readonly parts: Uint8Array[] = [];

  u32(value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value, true);
    this.parts.push(bytes);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.u32(value.length);
    this.parts.push(value);
    return this;
  }

  text(value: string): this {
    return this.bytes(utf8ToBytes(value));
  }

  hex(value: Hex): this {
    return this.bytes(hexToBytes(value));
  }

  digest(): Hex {
    return bytesToHex(sha256(concatBytes(...this.parts)));
  }
}

/** A plan's outputs before their branch ids exist (a full `PlanOutput` also fits). */
export type PlanOutputBody =
  | { readonly kind: 'payment'; readonly payment: Hex; readonly address: Hex; readonly amount: string }
  | { readonly kind: 'branch'; readonly amount: string };

/** Everything a plan id commits to (a full `Plan` also fits). */
export interface PlanBody {
  readonly network: string;
  readonly key: Hex;
  readonly kind: PlanKind;
  readonly inputs: readonly SpendableOutput[];
  readonly outputs: readonly PlanOutputBody[];
  readonly change: string | null;
  readonly fee: string;
  readonly operatingCost: string;
  readonly changeTo?: Hex;
}

/**
 * The plan id: SHA-256 over the network, key, kind, inputs, outputs, change, fee, operating
 * cost and, when the change goes to a successor, its script. Branch outputs enter by amount and position only, since their ids derive from this one.
 */
export function computePlanId(plan: PlanBody): Hex {
  const encoder = new Encoder().text(PLAN_DOMAIN).text(plan.network).hex(plan.key).text(plan.kind);
  encoder.u32(plan.inputs.length);
  for (const input of plan.inputs) encoder.hex(input.id).text(input.kind).text(input.amount);
  encoder.u32(plan.outputs.length);
  for (const output of plan.outputs) {
    encoder.text(output.kind);
    if (output.kind === 'payment') encoder.hex(output.payment).hex(output.address);
    encoder.text(output.amount);
  }
  if (plan.change === null) encoder.u32(0);
  else encoder.u32(1).text(plan.change);
  encoder.text(plan.fee).text(plan.operatingCost);
  // Appended only when set, so every plan made before rotation existed keeps its id.
  if (plan.changeTo !== undefined) encoder.text('changeTo').hex(plan.changeTo);
  return encoder.digest();
}

/** The id of the branch paid by output `index` of plan `planId`. */
export function computeBranchId(planId: Hex, index: number): Hex {
  return new Encoder().text(BRANCH_DOMAIN).hex(planId).u32(index).digest();
}
