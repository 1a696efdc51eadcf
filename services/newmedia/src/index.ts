/** The newmedia channel. */
export {};
