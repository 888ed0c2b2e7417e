export * from './client';
export * from './images';
export * from './docker-executor';
export { lambdaEnvironment, RESERVED } from './env';
export { layerBinds } from './layers';
