/** store/: state shared by the roles, behind one interface per kind of state. */
export { MemoryRegistrationStore } from './memory-registration-store.ts';
export type { ContactBinding, RegistrationStore } from './registration-store.ts';
