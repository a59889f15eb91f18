-- code: FP002
-- severity: error
-- description: a store holds less than nothing of a variant
-- hint: a sale was recorded without stock; find the missing purchase, or count the shelf and adjust (adjust_stock)
SELECT variant_id, store_id, quantity
FROM current_stock
WHERE store_id IS NOT NULL AND quantity < 0
ORDER BY variant_id, store_id
