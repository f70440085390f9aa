// BullMQ exports each queue's metrics as a text of its own, every one with the same HELP and TYPE
// lines. Concatenated they repeat them, which the Prometheus text format forbids: merge them into
// one family each, its HELP and TYPE once, then every queue's samples.

const familyOf = (line: string) => (line.startsWith('# ') ? line.split(' ')[2]! : /^[^{\s]+/.exec(line)![0]);

export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, { headers: string[]; samples: string[] }>();
  for (const line of texts.flatMap((text) => text.split('\n')).filter((l) => l.trim() !== '')) {
    const family = families.get(familyOf(line)) ?? { headers: [], samples: [] };
    families.set(familyOf(line), family);
    if (!line.startsWith('# ')) family.samples.push(line);
    else if (!family.headers.includes(line)) family.headers.push(line);
  }
  return [...families.values()].flatMap((f) => [...f.headers, ...f.samples]).join('\n');
}
