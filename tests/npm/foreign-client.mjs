// A Murmur peer in another language, written from docs/protocol.md alone: it joins a topic over NATS JetStream,
// exchanges causally dependent events with C# agents, sends hostile events, and reads from
// murmur.deadletters.<topic> why the node refused them.
//
// usage: node foreign-client.mjs URL[,URL…] STREAM PREFIX TOPIC ACTOR
// stdout: "HOSTILE_SENT" once every hostile event is appended, then one JSON line with what it saw; exit 0 when every
// hostile event was reported back with a reason, 1 otherwise.
import { connect } from "nats";

const [url, stream, prefix, topic, actor] = process.argv.slice(2);
const helper = actor + "_Helper";
const enc = new TextEncoder();
const dec = new TextDecoder();
const nc = await connect({ servers: url.split(","), name: "murmur-foreign-client" });
const js = nc.jetstream();
const subject = `${prefix}.${topic}`;

// Appends one record: the subject is <prefix>.<topic>, Nats-Msg-Id is <topic>/<event_id>.
async function append(eventId, bytes) {
  await js.publish(subject, bytes, { msgID: `${topic}/${eventId}` });
}
const send = (e) => append(e.event_id, enc.encode(JSON.stringify(e)));

// The topic as the spec says a member sees it: the roster from first JOINs, causal delivery by vector clocks.
const roster = [];            // actor names; index i owns clock entry i
const delivered = [];         // events delivered per index
const held = [];
const seen = [];              // delivered events, in delivery order
let waiters = [];

function ready(e) {
  const s = roster.indexOf(e.actor);
  if (s < 0) return false;
  const v = e.vector_clock;
  for (let j = 0; j < v.length; j++) {
    if (j === s ? v[j] !== (delivered[j] ?? 0) + 1 : v[j] > (delivered[j] ?? 0)) return false;
  }
  return true;
}

function deliver(e) {
  const s = roster.indexOf(e.actor);
  delivered[s] = e.vector_clock[s];
  seen.push(e);
}

function offer(e) {
  if (e.action === "JOIN" && e.vector_clock.length === 0) {
    if (roster.includes(e.actor)) return;            // a repeated JOIN: the first fixed the index
    roster.push(e.actor);
    const clock = new Array(roster.length).fill(0);
    clock[roster.length - 1] = 1;
    deliver({ ...e, vector_clock: clock });
  } else {
    held.push(e);
  }
  for (let progress = true; progress;) {
    progress = false;
    for (let i = 0; i < held.length; i++) {
      if (ready(held[i])) {
        deliver(held.splice(i, 1)[0]);
        progress = true;
        break;
      }
    }
  }
  waiters = waiters.filter((w) => !w());
}

function until(predicate, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 60_000);
    const check = () => {
      const found = predicate();
      if (found) {
        clearTimeout(timer);
        resolve(found);
        return true;
      }
      return false;
    };
    if (!check()) waiters.push(check);
  });
}

// The clock of a new own event: everything delivered, own entry = how many events this actor sent.
function clockFor(name, own) {
  const s = roster.indexOf(name);
  const clock = roster.map((_, j) => delivered[j] ?? 0);
  clock[s] = own;
  while (clock.length > 0 && clock[clock.length - 1] === 0) clock.pop();
  return clock;
}

async function follow(subjectToRead, onEvent) {
  const consumer = await js.consumers.get(stream, { filterSubjects: subjectToRead });
  const messages = await consumer.consume();
  (async () => {
    for await (const m of messages) {
      let e;
      try {
        e = JSON.parse(dec.decode(m.data));
      } catch {
        continue; // not an event: the node refuses it, and so do we
      }
      onEvent(e);
    }
  })();
}

await follow(subject, offer);

// JOIN: read to the end (the follower does), append with an empty clock; the index is the position among first JOINs.
for (const name of [actor, helper]) {
  await send({ event_id: `${name}-join`, actor: name, action: "JOIN", payload: {}, vector_clock: [] });
  await until(() => roster.includes(name), `the JOIN of ${name}`);
}
const index = roster.indexOf(actor);

// Causally dependent exchange with the C# agent "Echo", which answers every MESSAGE with a pong.
await send({ event_id: `${actor}-ping`, actor, action: "MESSAGE", payload: { text: "ping", to: "Echo" }, vector_clock: clockFor(actor, 2) });
const pong = await until(() => seen.find((e) => e.actor === "Echo" && e.payload?.in_reply_to === `${actor}-ping`), "the pong");
await send({ event_id: `${actor}-thanks`, actor, action: "MESSAGE", payload: { text: "thanks for the pong", to: "Echo" }, vector_clock: clockFor(actor, 3) });
const pong2 = await until(() => seen.find((e) => e.actor === "Echo" && e.payload?.in_reply_to === `${actor}-thanks`), "the second pong");
// A FINDING shaped as the old docs had it ({summary, data}): valid, and no agent may crash on it.
await send({ event_id: `${actor}-finding`, actor, action: "FINDING", payload: { summary: "auth_token in a URL", data: { file: "a.py" } }, vector_clock: clockFor(actor, 4) });
await until(() => seen.find((e) => e.event_id === `${actor}-finding`), "our finding delivered");

// Hostile events: each must be refused or given up, and reported back with its reason.
const echo = roster.indexOf("Echo");
const hostile = {};
const h = (name) => (hostile[name] = `${actor}-h-${name}`);
const ownJump = clockFor(actor, 4 + 100);
await send({ event_id: h("own-jump"), actor, action: "MESSAGE", payload: { text: "own entry +100" }, vector_clock: ownJump });
const otherJump = clockFor(helper, 2);
otherJump[echo] = (delivered[echo] ?? 0) + 50;
await send({ event_id: h("other-jump"), actor: helper, action: "MESSAGE", payload: { text: "Echo's entry +50" }, vector_clock: otherJump });
const tail = clockFor(actor, 5);
while (tail.length < roster.length + 3) tail.push(0);
tail.push(1);
await send({ event_id: h("tail"), actor, action: "MESSAGE", payload: { text: "a member beyond the roster" }, vector_clock: tail });
const zeros = clockFor(actor, 6).concat(new Array(1000).fill(0));
await send({ event_id: h("zeros"), actor, action: "MESSAGE", payload: { text: "1,000 trailing zeros" }, vector_clock: zeros });
await send({ event_id: h("nobody"), actor: "Nobody_Joined", action: "MESSAGE", payload: { text: "never joined" }, vector_clock: [1] });
await append(h("malformed"), enc.encode(`{"event_id":"${hostile.malformed}","actor":"${actor}","action":"MESSAGE","vector_clock":[1],"colour":"red"}`));
// The same event_id with other content, under another Nats-Msg-Id (JetStream would drop an equal one as a duplicate).
await append(`${actor}-ping#again`, enc.encode(JSON.stringify({ event_id: `${actor}-ping`, actor, action: "MESSAGE", payload: { text: "ping, rewritten" }, vector_clock: clockFor(actor, 2) })));
hostile.conflict = `${actor}-ping`;

// Feedback: DEAD_LETTER records in murmur.deadletters.<topic>, one per refusal, with the reason.
const reasons = {};
await follow(`${prefix}.murmur.deadletters.${topic}`, (e) => {
  if (e.action === "DEAD_LETTER" && e.payload?.event_id) reasons[e.payload.event_id] = e.payload.reason;
  waiters = waiters.filter((w) => !w());
});
console.log("HOSTILE_SENT");
let ok = true;
try {
  await until(() => Object.values(hostile).every((id) => reasons[id] !== undefined), "a report of every hostile event");
} catch (err) {
  ok = false;
  console.error(String(err));
}
// Refusals of our own events: a conflict report names our ping's id, so tell it apart by its reason.
console.log(JSON.stringify({ index, roster, pong: pong.event_id, pongClock: pong.vector_clock, pong2: pong2.event_id, hostile, reasons }));
await nc.close();
process.exit(ok ? 0 : 1);
