import express, { type Router } from "express";
import { type World } from "../world";

export function weiboRouter(_world: World): Router {
  return express.Router();
}
