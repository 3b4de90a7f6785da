/**
 * Concepts that say what an answer needs, as word lists (../shared/ROUTING.md's table, in words). The corpus
 * teaches the model what each concept weighs; the lists carry it to wordings the corpus never had ("a livelock",
 * "tenant isolation", "p99 went up"), which a model of a few thousand examples cannot learn word by word.
 * A word matches whole; `stem*` matches words that start with it; `two words` matches the pair.
 */
export const LEXICON: Readonly<Record<string, readonly string[]>> = {
  concurrency: [
    'race', 'races', 'racy', 'deadlock*', 'livelock*', 'mutex*', 'lock', 'locks', 'locking', 'locked', 'unlock*', 'atomic*', 'concurren*',
    'thread*', 'goroutine*', 'semaphore*', 'contention', 'synchroniz*', 'volatile', 'reentran*', 'parallel*', 'channel', 'channels',
    'cas', 'lockfree', 'lock free', 'memory ordering', 'happens before', 'data race', 'rwlock', 'condvar', 'spinlock*', 'async', 'await',
    'tokio', 'coroutine*', 'executor', 'waitgroup', 'futex', 'interleav*', 'starvation', 'linearizab*', 'seqcst', 'acquire', 'release',
  ],
  security: [
    'secur*', 'vulnerab*', 'injection', 'xss', 'csrf', 'ssrf', 'auth', 'authz', 'authn', 'authenticat*', 'authoriz*', 'jwt', 'oauth*',
    'tenant*', 'isolation', 'privilege*', 'escalat*', 'sandbox*', 'secret', 'secrets', 'crypto*', 'encrypt*', 'decrypt*', 'bcrypt',
    'argon2', 'nonce', 'hmac', 'signature*', 'cve', 'rce', 'exploit*', 'sanitiz*', 'attacker*', 'malicious', 'idor', 'saml', 'session fixation',
    'permission*', 'iam', 'rbac', 'tls', 'mtls', 'certificate*', 'deserializ*', 'traversal', 'timing attack', 'leak secrets', 'pentest*',
  ],
  performance: [
    'slow*', 'latency', 'p99', 'p95', 'p50', 'throughput', 'perf', 'performance', 'profil*', 'flame*', 'hotspot*', 'cpu', 'oom*', 'gc',
    'heap', 'alloc*', 'n+1', 'bottleneck*', 'optimi*', 'benchmark*', 'scalab*', 'rss', 'memory leak', 'leak', 'leaks', 'leaking',
    'pprof', 'perf stat', 'cache miss*', 'regress*', 'spike*', 'saturat*', 'backpressure', 'tail latency', 'qps', 'rps',
  ],
  distributed: [
    'distributed', 'microservice*', 'services', 'consensus', 'replica*', 'replicat*', 'partition*', 'shard*', 'eventual*', 'consistency',
    'idempoten*', 'exactly once', 'at least once', 'saga*', 'outbox', 'kafka', 'rabbitmq', 'queue*', 'failover', 'leader election',
    'raft', 'paxos', 'quorum', 'multi region', 'cross region', 'split brain', 'clock skew', 'ordering', 'retries', 'circuit breaker',
  ],
  design: [
    'architect*', 'design', 'trade', 'tradeoff*', 'trade offs', 'approach*', 'strategy', 'scal*', 'migrat*', 'rollout', 'zero downtime',
    'backward compat*', 'monolith*', 'decompos*', 'boundar*', 'domain', 'schema design', 'data model', 'multi tenant', 'pros and cons',
  ],
  breadth: [
    'across', 'codebase', 'monorepo', 'repository', 'repo', 'every service', 'all services', 'all files', 'whole project', 'end to end',
    'three services', 'several services', 'each service', 'cross cutting', 'modules', 'packages', 'layers',
  ],
  uncertainty: [
    'sometimes', 'intermittent*', 'random*', 'flaky', 'flak*', 'occasional*', 'sporadic*', 'nondetermin*', 'non deterministic',
    'only in prod', 'only on', 'under load', 'after hours', 'cant reproduce', "can't reproduce", 'no idea', 'heisenbug', 'weird', 'mysterious',
    'hangs', 'hang', 'stuck', 'freez*', 'corrupt*', 'inconsistent', 'once a day', 'every few', 'root cause', 'postmortem', 'incident*',
  ],
  mechanical: [
    'rename*', 'sort', 'sorted', 'alphabetic*', 'format', 'formatting', 'prettier', 'indent*', 'typo', 'typos', 'spelling', 'lowercase',
    'uppercase', 'camelcase', 'snake case', 'snake_case', 'kebab', 'pascalcase', 'quotes', 'reorder', 'bump', 'whitespace', 'trailing',
    'semicolon*', 'let', 'const', 'var', 'shorthand', 'one liner', 'oneliner', 'translate', 'translation', 'wording', 'reword', 'capitaliz*',
    'commit message', 'title', 'label', 'placeholder', 'emoji', 'comment out', 'uncomment', 'delete the', 'remove the unused', 'unused import*',
  ],
  smalltalk: [
    'thanks', 'thank', 'thx', 'ty', 'ok', 'okay', 'lgtm', 'cool', 'great', 'nice', 'perfect', 'awesome', 'nvm', 'hi', 'hello', 'hey', 'bye',
    'merci', 'danke', 'gracias', 'obrigado', 'grazie', '谢', 'ありがとう', 'got it', 'sounds good', 'makes sense', 'yes', 'no', 'yep', 'nope',
  ],
  fact: [
    'which version', 'what version', 'which flag', 'what flag', 'default value', 'what is the default', 'shortcut', 'keybinding',
    'what does', 'what is', 'whats', 'is there a', 'how do i', 'difference between', 'vs', 'syntax', 'command to', 'where is',
  ],
  build: [
    'write', 'implement', 'create', 'add', 'generate', 'build', 'make', 'convert', 'refactor', 'extract', 'replace', 'support', 'parse',
    'endpoint', 'function', 'script', 'class', 'component', 'hook', 'test', 'tests', 'mock', 'fixture*', 'coverage', 'document', 'docstring',
  ],
  bug: [
    'bug', 'broken', 'fails', 'failing', 'error', 'exception', 'crash*', 'panic*', 'segfault', 'wrong', 'incorrect', 'fix', 'doesnt work',
    "doesn't work", 'not working', 'undefined', 'null', 'nil', 'nan',
  ],
  // What a paste is, read off its words (pairs across the punctuation: "Thread.State" is "thread state").
  threaddump: ['semacquire', 'prio', 'lwp', 'thread state', 'are asleep', 'java level', 'waiting to', 'parking to', 'blocked on', 'locked ownable'],
  sanitizer: ['addresssanitizer', 'threadsanitizer', 'leaksanitizer', 'undefinedbehaviorsanitizer', 'data race', 'sigsegv', 'segmentation fault', 'core dumped', 'use after', 'double free'],
  queryplan: ['seq scan', 'index scan', 'nested loop', 'hash join', 'heap scan', 'actual time', 'loops', 'filesort', 'using temporary', 'rows removed'],
  sql: ['select', 'insert into', 'create table', 'alter table', 'create index', 'inner join', 'left join', 'group by', 'order by'],
  traceids: ['trace_id', 'traceid', 'span_id', 'spanid', 'request id', 'correlation_id', 'correlationid', 'trace id', 'span id'],
  timeout: ['timeout', 'timeouts', 'etimedout', 'timed out', 'deadline exceeded', 'deadlineexceeded', 'gateway timeout'],
};

export const CONCEPTS = Object.keys(LEXICON);
