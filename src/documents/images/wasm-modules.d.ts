// Wrangler and the vitest Workers pool load a `.wasm` import as a compiled WebAssembly.Module.
declare module "@cwasm/jpeg-turbo/jpeg-turbo.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
