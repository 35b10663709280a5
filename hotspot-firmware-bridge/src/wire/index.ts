export * from './beacon-payload';
export * from './datarate';
export * from './entropy';
export * from './keys';
export * from './protobuf';
export * from './regions';
export * from './reports';
export * from './topics';
