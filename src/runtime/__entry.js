export * from "/work/main/src/runtime/memory.ts"
