// Figures kept per server: what each did with the frames it was sent.

/** Counts of one kind of frame sent to one server. */
function kindTally() {
  return {
    frames: 0,
    connections: 0,
    closedByServer: 0,
    answered: 0,
    silent: 0,
    connectFailed: 0,
    variants: {},
  };
}

/** Everything one server did with the frames it was sent. */
export function serverTally() {
  return {
    kinds: { random: kindTally(), mutated: kindTally(), codes: kindTally(), oversized: kindTally() },
    answers: 0,
    unansweredRequests: 0,
    responseCodes: {},
    codesSent: new Set(),
    errorsWithoutRemark: 0,
    errorsWithoutRemarkSample: [],
    internalErrors: 0,
    internalErrorSample: {},
    slowestAnswerMs: {},
    slowAnswersBySecond: {},
    closedAfterValidFrames: 0,
    closedAfterValidSample: [],
    undecodableAnswers: 0,
    serverRequests: 0,
  };
}

function countVariant(tally, variant, frames, outcome) {
  const v = (tally.variants[variant] ??= { frames: 0, connections: 0, closedByServer: 0, answered: 0, silent: 0 });
  v.frames += frames;
  v.connections++;
  v[outcome]++;
}

/** Count what the server did with a job; false when it was never sent (no connection). */
export function record(tally, job, result) {
  const kt = tally.kinds[job.kind];
  if (!result.written) {
    kt.connectFailed++;
    return false;
  }
  kt.connections++;
  kt.frames += job.frames;
  tally.undecodableAnswers += result.undecodable;
  let outcome;
  if (result.answers > 0) {
    kt.answered += result.answers;
    outcome = "answered";
  }
  if (result.closed) {
    kt.closedByServer++;
    outcome ??= "closedByServer";
  }
  if (!outcome) {
    kt.silent++;
    outcome = "silent";
  }
  countVariant(kt, job.variant, job.frames, outcome);
  if (job.kind === "codes") {
    tally.unansweredRequests += Math.max(0, job.expected - result.answers);
    if (result.closed) {
      tally.closedAfterValidFrames++;
      if (tally.closedAfterValidSample.length < 10)
        tally.closedAfterValidSample.push({
          codes: [...job.opaques.values()].slice(0, 8),
          answers: result.answers,
          expected: job.expected,
        });
    }
  }
  return true;
}

export function onAnswer(tally, cmd, opaques = new Map(), ms = 0) {
  if ((cmd.flag & 1) === 0) {
    tally.serverRequests++; // e.g. NOTIFY_CONSUMER_IDS_CHANGED after a fuzzed heartbeat registered us
    return;
  }
  tally.answers++;
  tally.responseCodes[cmd.code] = (tally.responseCodes[cmd.code] ?? 0) + 1;
  const request = opaques.get(cmd.opaque);
  const requestCode = request?.code;
  if (requestCode !== undefined && ms > (tally.slowestAnswerMs[requestCode] ?? 0))
    tally.slowestAnswerMs[requestCode] = ms;
  if (ms >= SLOW_ANSWER_MS) {
    // when they came: many at once is a server that stalled, spread out is a slow request
    const second = Math.floor(Date.now() / 1000);
    tally.slowAnswersBySecond[second] = (tally.slowAnswersBySecond[second] ?? 0) + 1;
  }
  // SUCCESS (0) needs no remark; neither do the pull / query "not found" answers of a processor
  // that ran (their remark is the store status, but not always).
  if (cmd.code !== 0 && (cmd.remark === null || cmd.remark === "") && ![19, 20, 21, 22, 23, 206].includes(cmd.code)) {
    tally.errorsWithoutRemark++;
    if (tally.errorsWithoutRemarkSample.length < 20)
      tally.errorsWithoutRemarkSample.push({ requestCode, responseCode: cmd.code });
  }
  // a JavaScript error in the remark: a processor failed on input it should have refused the way Java
  // does ("undefined" and "NaN" count only when the request did not carry them itself)
  const remark = cmd.remark ?? "";
  if (INTERNAL_ERROR.test(remark) || (!request?.literal && /\bundefined\b|\bNaN\b/.test(remark))) {
    tally.internalErrors++;
    const key = `${requestCode}/${cmd.code}: ${remark.slice(0, 160)}`;
    if (Object.keys(tally.internalErrorSample).length < 40 || key in tally.internalErrorSample)
      tally.internalErrorSample[key] = (tally.internalErrorSample[key] ?? 0) + 1;
  }
}

/** An answer later than this is counted in `slowAnswersBySecond`. */
const SLOW_ANSWER_MS = 2000;

/** Remarks that name a JavaScript error rather than a Java exception or a RocketMQ message. */
const INTERNAL_ERROR =
  /\b(TypeError|RangeError|ReferenceError|SyntaxError|AssertionError|ERR_[A-Z_]+)\b|Cannot read propert|is not a function|is not iterable|undefined/;

export function plainTally(t) {
  const slowest = Object.entries(t.slowestAnswerMs)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12);
  return { ...t, codesSent: t.codesSent.size, slowestAnswerMs: Object.fromEntries(slowest) };
}
