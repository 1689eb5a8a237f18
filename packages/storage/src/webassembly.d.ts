// The part of the WebAssembly JS API this package uses. Node provides it globally; @types/node 20 does
// not declare it and the DOM lib is not loaded for server code.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: Record<string, unknown>;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  // eslint-disable-next-line @typescript-eslint/no-redeclare
  const Memory: {
    new (descriptor: MemoryDescriptor): Memory;
  };
}
