/**
 * Local mode's document client: GetItem requests issued in the same tick (e.g. a personal record
 * and its key-table secret, read in parallel) go out as one BatchGetItem, across tables. Each
 * caller still gets its own `{ Item }` as a GetCommand would answer it, with the same consistency
 * (only requests with the same ConsistentRead share a table's entry). A lone GetItem, one with a
 * projection or other options, and every other command pass through unchanged.
 *
 * Why local mode only: in local mode every request goes through the SDK's middleware and signing
 * to dynalite in this same process (~2.5 ms of CPU each), so fewer requests are the throughput.
 * In AWS the functions' grants name exactly the actions each one makes (no BatchGetItem for these
 * reads), and parallel GetItems cost the same capacity and no more latency.
 */
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { currentLane, inLaneOf, type Lane } from './request-lanes.js';

type Item = Record<string, unknown>;

interface Pending {
  /** The caller's lane (request-lanes.ts): the batch goes in the API's if any caller is in it. */
  readonly lane: Lane;
  readonly table: string;
  readonly key: Item;
  readonly consistent: boolean;
  resolve(item: Item | undefined): void;
  reject(error: unknown): void;
}

/** BatchGetItem takes at most 100 keys. */
const MAX_KEYS = 100;

const sameValue = (a: unknown, b: unknown): boolean =>
  a instanceof Uint8Array && b instanceof Uint8Array ? Buffer.from(a).equals(Buffer.from(b)) : a === b;

const sameKey = (key: Item, item: Item): boolean =>
  Object.entries(key).every(([name, value]) => sameValue(value, item[name]));

const keyId = (table: string, consistent: boolean, key: Item): string =>
  JSON.stringify([
    table,
    consistent,
    Object.entries(key)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => [
        name,
        value instanceof Uint8Array ? `b:${Buffer.from(value).toString('base64')}` : value,
      ]),
  ]);

/** Only a plain keyed read can share a batch (no projection, no capacity report, no options). */
function plainGet(command: unknown, options: unknown): GetCommand | undefined {
  if (!(command instanceof GetCommand) || options !== undefined) return undefined;
  const { TableName, Key, ConsistentRead, ...rest } = command.input;
  return TableName && Key && Object.keys(rest).length === 0 ? command : undefined;
}

export function coalescingGets(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
  const send = db.send.bind(db) as (command: unknown, options?: unknown) => Promise<unknown>;
  let queued: Pending[] = [];

  const single = async (p: Pending) => {
    const { Item } = (await send(
      new GetCommand({ TableName: p.table, Key: p.key, ConsistentRead: p.consistent }),
    )) as { Item?: Item };
    return Item;
  };

  const run = async (batch: readonly Pending[]) => {
    // One entry per distinct key (DynamoDB refuses duplicates); every waiter gets the answer.
    const byId = new Map<string, Pending[]>();
    for (const p of batch) {
      const id = keyId(p.table, p.consistent, p.key);
      byId.set(id, [...(byId.get(id) ?? []), p]);
    }
    const groups = [...byId.values()];
    if (groups.length === 1) {
      const group = groups[0] as Pending[];
      await single(group[0] as Pending).then(
        (item) => {
          for (const p of group) p.resolve(item);
        },
        (error: unknown) => {
          for (const p of group) p.reject(error);
        },
      );
      return;
    }
    const requestItems: Record<string, { Keys: Item[]; ConsistentRead: boolean }> = {};
    // A table asked with both consistencies: the strong reads are batched, the rest go alone.
    const alone: Pending[][] = [];
    for (const group of groups) {
      const first = group[0] as Pending;
      const entry = requestItems[first.table];
      if (!entry) requestItems[first.table] = { Keys: [first.key], ConsistentRead: first.consistent };
      else if (entry.ConsistentRead === first.consistent) entry.Keys.push(first.key);
      else alone.push(group);
    }
    const answer = (group: readonly Pending[], item: Item | undefined) => {
      for (const p of group) p.resolve(item);
    };
    const fail = (group: readonly Pending[], error: unknown) => {
      for (const p of group) p.reject(error);
    };
    const batched = groups.filter((g) => !alone.includes(g));
    try {
      const out = (await send(new BatchGetCommand({ RequestItems: requestItems }))) as {
        Responses?: Record<string, Item[]>;
        UnprocessedKeys?: Record<string, { Keys?: Item[] }>;
      };
      for (const group of batched) {
        const first = group[0] as Pending;
        const unprocessed = out.UnprocessedKeys?.[first.table]?.Keys?.some((k) => sameKey(first.key, k));
        if (unprocessed) alone.push(group);
        else
          answer(
            group,
            out.Responses?.[first.table]?.find((item) => sameKey(first.key, item)),
          );
      }
    } catch {
      // Each read on its own then, so that each caller gets its own answer or error, as before.
      alone.push(...batched);
    }
    await Promise.all(
      alone.map((group) =>
        single(group[0] as Pending).then(
          (item) => answer(group, item),
          (error: unknown) => fail(group, error),
        ),
      ),
    );
  };

  const flush = () => {
    const all = queued;
    queued = [];
    for (let i = 0; i < all.length; i += MAX_KEYS) {
      const batch = all.slice(i, i + MAX_KEYS);
      void inLaneOf(batch, () => run(batch));
    }
  };

  const coalesced = Object.create(db) as DynamoDBDocumentClient;
  coalesced.send = ((command: unknown, options?: unknown) => {
    const get = plainGet(command, options);
    if (!get) return send(command, options);
    return new Promise<{ Item?: Item; $metadata: object }>((resolve, reject) => {
      if (queued.length === 0) queueMicrotask(flush);
      queued.push({
        lane: currentLane(),
        table: get.input.TableName as string,
        key: get.input.Key as Item,
        consistent: get.input.ConsistentRead === true,
        resolve: (item) => resolve(item === undefined ? { $metadata: {} } : { Item: item, $metadata: {} }),
        reject,
      });
    });
  }) as DynamoDBDocumentClient['send'];
  return coalesced;
}
