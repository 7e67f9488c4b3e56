// Archive test data: what the publishing console sends for the 光荣榜.

/** A complete honour-roll entry (an individual of 沂源县, 2019). */
export const honourEntry = {
  year: 2019,
  kind: "individual",
  name: "测试个人",
  unit: "某村",
  district: "沂源县",
  citation: "事迹",
};
