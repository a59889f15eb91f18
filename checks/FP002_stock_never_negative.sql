-- code: FP002
-- severity: error
-- description: stock is negative for a variant, or for a variant in one store
-- hint: a sale was recorded without stock; find the missing purchase or adjustment
SELECT 'variant' AS level, id AS variant_id, NULL::uuid AS store_id, stock AS quantity
FROM variants WHERE stock < 0
UNION ALL
SELECT 'store', l.variant_id, l.store_id, sum(l.q)
FROM (SELECT variant_id, store_id, quantity AS q FROM purchases
      UNION ALL SELECT variant_id, store_id, -quantity FROM sellings) l
GROUP BY l.variant_id, l.store_id HAVING sum(l.q) < 0
ORDER BY 2, 3
