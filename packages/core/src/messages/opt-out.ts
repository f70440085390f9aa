// Replies that mean "never contact me again".
const OPT_OUT = new Set([
  'stop',
  'arret',
  'arrete',
  'arreter',
  'desinscription',
  'desabonner',
  'unsubscribe',
  'stop sms',
]);

export function isOptOutReply(text: string): boolean {
  const normalised = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return OPT_OUT.has(normalised);
}
