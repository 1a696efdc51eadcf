import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Audience, ItemKind } from "@herald/contracts";
import type { mongo } from "mongoose";
import { type OutletPolicyData, checkPolicy } from "./policy";

type Db = mongo.Db;

/**
 * An outlet name: it becomes the channel `outlet-<name>`, which must match the
 * channel-name rule (lower-case letters, digits and dashes, at most 63 characters).
 */
export const OUTLET_NAME = /^[a-z][a-z0-9-]{0,55}$/;

export class RegistrationError extends Error {
  constructor(
    readonly code: "invalid_argument" | "not_found" | "already_exists" | "failed_precondition",
    message: string,
  ) {
    super(message);
  }
}

/** One registered outlet as stored: only the SHA-256 of its credential, never the credential. */
export interface OutletRegistration {
  readonly name: string;
  readonly policy: OutletPolicyData;
  readonly credentialSha256: string;
  readonly registeredAt: Date;
  readonly rotatedAt?: Date | undefined;
  readonly revokedAt?: Date | undefined;
}

interface RegistrationDocument {
  _id: string;
  policy: {
    kinds: ItemKind[];
    audiences: Audience[];
    keepsWithdrawn: boolean;
    keepsExpired: boolean;
  };
  credentialSha256: string;
  registeredAt: Date;
  rotatedAt?: Date;
  revokedAt?: Date;
}

export function checkOutletName(name: string): void {
  if (!OUTLET_NAME.test(name)) {
    throw new RegistrationError(
      "invalid_argument",
      `name: ${JSON.stringify(name)} must match ${OUTLET_NAME.source} (lower-case letters, digits and dashes, starting with a letter, at most 56 characters, so that "outlet-<name>" is a valid channel name)`,
    );
  }
}

export function credentialHash(credential: string): string {
  return createHash("sha256").update(credential, "utf8").digest("hex");
}

function newCredential(name: string): string {
  // The name in the credential helps an operator tell credentials apart; the 32 random bytes are the secret.
  return `hoc_${name}_${randomBytes(32).toString("base64url")}`;
}

function fromDocument(doc: RegistrationDocument): OutletRegistration {
  return {
    name: doc._id,
    policy: {
      kinds: doc.policy.kinds,
      audiences: doc.policy.audiences,
      keepsWithdrawn: doc.policy.keepsWithdrawn,
      keepsExpired: doc.policy.keepsExpired,
    },
    credentialSha256: doc.credentialSha256,
    registeredAt: doc.registeredAt,
    rotatedAt: doc.rotatedAt,
    revokedAt: doc.revokedAt,
  };
}

/** Hashed against when no outlet has the name, so a refusal takes as long either way. */
const ABSENT_HASH = Buffer.alloc(32, 0);

/**
 * The outlets operators registered, in the gateway's database. Every read and
 * write filters on `_id` (the name) only: other filters scan the whole collection
 * on FerretDB.
 */
export class OutletRegistry {
  constructor(private readonly db: Db) {}

  private get collection() {
    return this.db.collection<RegistrationDocument>("outlets");
  }

  /** Registers an outlet and returns its credential, which is never stored nor shown again. */
  async add(
    name: string,
    policy: OutletPolicyData,
    now = new Date(),
  ): Promise<{ registration: OutletRegistration; credential: string }> {
    checkOutletName(name);
    checkPolicy(policy);
    const credential = newCredential(name);
    const doc: RegistrationDocument = {
      _id: name,
      policy: {
        kinds: [...policy.kinds],
        audiences: [...policy.audiences],
        keepsWithdrawn: policy.keepsWithdrawn,
        keepsExpired: policy.keepsExpired,
      },
      credentialSha256: credentialHash(credential),
      registeredAt: now,
    };
    try {
      // The unique _id is the claim: two operators adding one name cannot both succeed.
      await this.collection.insertOne(doc);
    } catch (error) {
      if ((error as { code?: number }).code === 11000) {
        throw new RegistrationError(
          "already_exists",
          `name: an outlet named ${name} is already registered (names are never reused, even after a revoke)`,
        );
      }
      throw error;
    }
    return { registration: fromDocument(doc), credential };
  }

  async get(name: string): Promise<OutletRegistration | undefined> {
    const doc = await this.collection.findOne({ _id: name });
    return doc ? fromDocument(doc) : undefined;
  }

  async list(): Promise<OutletRegistration[]> {
    const docs = await this.collection.find({}).toArray();
    return docs.map(fromDocument).sort((a, b) => a.name.localeCompare(b.name));
  }

  async revoke(name: string, now = new Date()): Promise<OutletRegistration> {
    const current = await this.require(name);
    if (current.revokedAt) return current;
    await this.collection.updateOne({ _id: name }, { $set: { revokedAt: now } });
    return { ...current, revokedAt: now };
  }

  /** Gives the outlet a new credential; the old one stops working at once. */
  async rotate(
    name: string,
    now = new Date(),
  ): Promise<{ registration: OutletRegistration; credential: string }> {
    const current = await this.require(name);
    if (current.revokedAt) {
      throw new RegistrationError("failed_precondition", `name: outlet ${name} is revoked`);
    }
    const credential = newCredential(name);
    const credentialSha256 = credentialHash(credential);
    await this.collection.updateOne({ _id: name }, { $set: { credentialSha256, rotatedAt: now } });
    return { registration: { ...current, credentialSha256, rotatedAt: now }, credential };
  }

  /**
   * The registration a Hello's name and credential prove, or undefined, without
   * telling an unknown name from a wrong credential: both compare a hash in
   * constant time, and a revoked outlet fails the same way.
   */
  async authenticate(name: string, credential: string): Promise<OutletRegistration | undefined> {
    const found = OUTLET_NAME.test(name) ? await this.get(name) : undefined;
    const presented = createHash("sha256").update(credential, "utf8").digest();
    const expected = found ? Buffer.from(found.credentialSha256, "hex") : ABSENT_HASH;
    const matches = timingSafeEqual(presented, expected);
    return found && matches && !found.revokedAt ? found : undefined;
  }

  private async require(name: string): Promise<OutletRegistration> {
    checkOutletName(name);
    const found = await this.get(name);
    if (!found) throw new RegistrationError("not_found", `name: no outlet named ${name}`);
    return found;
  }
}
