-- code: FP003
-- severity: error
-- description: an order line's total_price is not quantity times unit_price
SELECT id AS order_detail_id, quantity, unit_price, total_price
FROM order_details
WHERE total_price IS DISTINCT FROM quantity * unit_price
ORDER BY id
