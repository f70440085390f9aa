// Factories that open connections. Kept apart from the main entry point so that importing
// types, schemas and domain logic never connects to anything.
export { createDatabase, type Sql } from './db/client.js';
export { createRedis, type RedisClient } from './redis/connections.js';
export { createWhatsAppConnections, type WhatsAppConnections } from './whatsapp/whatsapp-connections.js';
export { createWhatsAppSender } from './whatsapp/whatsapp-sender.js';
export { baileysSocketFactory, type WhatsAppSocketFactory } from './whatsapp/whatsapp-socket.js';
export { loadDatabaseAuthState } from './whatsapp/auth-state.js';
