/** The server's public face: boot Coffer from a configuration (what `npm start` and the test fixtures do). */
export { startServer, type CofferServer, type ServerOptions } from './boot/server.js';
export { loadConfig, type Config } from './config.js';
