export { SettingsError, describeSettings, loadSettings, logLevel, port } from './settings';
export { createLogger } from './logger';
export { TaskRunner, type Task } from './tasks';
export { isMain } from './is-main';
export { runServiceMain } from './main';
